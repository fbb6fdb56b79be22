"""Today's GuideWire: every screen a page the server renders (the `spa` drift off).

layout.py holds what every page shares; auth, lists, wizard and policies hold the screens;
app.py assembles the routes."""
