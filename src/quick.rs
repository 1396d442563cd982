//! Quick entry: the one-line whiteboarding language (`agentk -grpcs-> nginx`) turned into edits.
