// The page's scripts are classic scripts (a page opened from file:// cannot load ES modules), so
// each file adds its part to one namespace instead of exporting it.
'use strict';
window.Spotlight = window.Spotlight || {};
// The page's element of that id: every script that wires the page looks its elements up by id.
window.Spotlight.$ = (id) => document.getElementById(id);
