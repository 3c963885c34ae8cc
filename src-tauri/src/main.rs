// Keeps a console window from opening next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Linux: WebKitGTK's accelerated compositing keeps its layers as textures in every
    // process, about 100 MB more at idle than software painting (BENCHMARKS.md, idle memory),
    // for lists and forms that gain nothing from it. Set before any thread starts; a value the
    // user gives (e.g. `WEBKIT_DISABLE_COMPOSITING_MODE=0`) wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    tandem_app_lib::run();
}
