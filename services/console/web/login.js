// The sign-in page: exchanges an account name and access token for a session cookie
// (POST /api/login), then goes to the console. Failures say plainly what happened: a wrong or
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

  // A session that is still valid goes straight to the console.
  fetch('/api/me', { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
    .then(function (r) { if (r.ok) window.location.replace('/'); })
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
        window.location.replace('/');
        return;
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
