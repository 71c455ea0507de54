// The sign-in page: exchanges an account name and access token for a session cookie
// (POST /api/login), then goes to the page for the account's roles: the review console for
// officers and supervisors, the operations dashboard (/ops.html) for an account that only has the
// ops role (it has no queues to review). Failures say plainly what happened: a wrong or
// expired credential (401), too many attempts (429, with the wait from Retry-After), or a server
// that cannot be reached. The token is never kept: the field is cleared after every attempt.
(function () {
  'use strict';

  var form = document.getElementById('login-form');
  var user = document.getElementById('login-user');
  var token = document.getElementById('login-token');
  var error = document.getElementById('login-error');
  var submit = document.getElementById('login-submit');

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
  }

  function waitText(seconds) {
    if (!(seconds > 0)) return 'a few minutes';
    if (seconds < 90) return Math.ceil(seconds) + ' seconds';
    return Math.ceil(seconds / 60) + ' minutes';
  }

  // Where an account lands: the review console, unless all it may see is the operations dashboard.
  function landingPage(me) {
    var roles = me && Array.isArray(me.roles) ? me.roles : [];
    var reviews = roles.indexOf('officer') >= 0 || roles.indexOf('supervisor') >= 0;
    return !reviews && roles.indexOf('ops') >= 0 ? '/ops.html' : '/';
  }

  // A session that is still valid goes straight to its page.
  fetch('/api/me', { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (me) { if (me) window.location.replace(landingPage(me)); })
    .catch(function () { /* stay on the sign-in page */ });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    error.hidden = true;
    var name = user.value.trim();
    var secret = token.value.trim();
    if (!name || !secret) {
      showError('Enter your account name and your access token.');
      (name ? token : user).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    fetch('/api/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-Crosscheck-Request': '1' },
      body: JSON.stringify({ user: name, token: secret })
    }).then(function (r) {
      token.value = '';
      if (r.ok) {
        return r.json().then(function (me) { window.location.replace(landingPage(me)); },
                             function () { window.location.replace('/'); });
      }
      if (r.status === 401) {
        showError('Sign-in refused: the account name or access token is not valid, or the token has expired ' +
                  'or was revoked. Check both, or ask your supervisor for a new token.');
      } else if (r.status === 429) {
        var after = parseInt(r.headers.get('Retry-After') || '', 10);
        showError('Too many failed sign-in attempts. Sign-in is paused for this account and this computer; ' +
                  'try again in ' + waitText(after) + '.');
      } else if (r.status === 403) {
        showError('Sign-in refused (403): this account may not use the console.');
      } else {
        showError('The console could not sign you in (HTTP ' + r.status + '). Try again; if it persists, ' +
                  'tell the operations team.');
      }
      token.focus();
    }).catch(function () {
      token.value = '';
      showError('The console server cannot be reached. Check your connection and try again.');
    }).then(function () {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    });
  });

  user.focus();
})();
