//! A drag source for the end-to-end tests: a small GTK window whose one widget drags the
//! files and folders named on its command line as `text/uri-list`, as a file manager does.
//! The test moves the pointer with XTEST from it onto the app's window, so the app gets a
//! real XDND drop from another X client (`WebDriver` cannot reach native drag and drop).
//!
//! Prints `ready` once its window is on screen and `dropped` when the drag ends, then exits.

#[cfg(target_os = "linux")]
use gtk::prelude::*;
#[cfg(target_os = "linux")]
use gtk::{gdk, glib};

/// The source window's place and size on the screen (Xvfb maps it where asked: no window
/// manager moves it), which the test aims the pointer at.
const PLACE: (i32, i32) = (0, 0);
const SIZE: (i32, i32) = (160, 80);

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("the drag source is for the end-to-end tests under X11");
    std::process::exit(2);
}

#[cfg(target_os = "linux")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let uris: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|path| glib::filename_to_uri(std::path::Path::new(&path), None).map(String::from))
        .collect::<Result<_, _>>()?;
    if uris.is_empty() {
        return Err("name the files or folders to drag".into());
    }
    gtk::init()?;
    let window = gtk::Window::new(gtk::WindowType::Toplevel);
    window.set_title("Strato drag source");
    window.set_default_size(SIZE.0, SIZE.1);
    window.move_(PLACE.0, PLACE.1);
    let handle = gtk::EventBox::new();
    handle.add(&gtk::Label::new(Some("Drag these files")));
    handle.drag_source_set(gdk::ModifierType::BUTTON1_MASK, &[], gdk::DragAction::COPY);
    handle.drag_source_add_uri_targets();
    handle.connect_drag_data_get(move |_, _, data, _, _| {
        let uris: Vec<&str> = uris.iter().map(String::as_str).collect();
        data.set_uris(&uris);
    });
    handle.connect_drag_end(|_, _| {
        println!("dropped");
        gtk::main_quit();
    });
    window.connect_map_event(|_, _| {
        println!("ready");
        glib::Propagation::Proceed
    });
    window.connect_delete_event(|_, _| {
        gtk::main_quit();
        glib::Propagation::Proceed
    });
    window.add(&handle);
    window.show_all();
    gtk::main();
    Ok(())
}
