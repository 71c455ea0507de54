// Applies the officer's chosen colour theme before the page paints (no flash of the other one).
// Loaded synchronously in <head>; the toggle itself lives in console.js. The choice is kept in
// localStorage only: it is a display preference, not data.
(function () {
  'use strict';
  var theme = null;
  try { theme = window.localStorage.getItem('crosscheck.theme'); } catch (e) { /* storage disabled */ }
  if (theme === 'dark' || theme === 'light') document.documentElement.setAttribute('data-theme', theme);
})();
