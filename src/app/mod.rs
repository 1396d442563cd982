//! The desktop editor (eframe/egui): the only layer that knows about windows.
