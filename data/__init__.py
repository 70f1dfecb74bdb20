# data package marker: data/ ships as tui_app.data
