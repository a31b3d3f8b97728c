/*
 * openlean Link SDK, served at /link/sdk.js. Plain ES2017, no dependencies, no build.
 *
 *   OpenleanLink.connect({ token, permissions, bank_identifier, language, redirect_uri, callback })
 *   OpenleanLink.reconnect({ token, reconnect_id, language, redirect_uri, callback })
 *
 * Opens the journey in a popup and calls `callback({ status, entity_id, customer_id, reason })`
 * when it ends (`status` SUCCESS or ERROR; closing the popup is ERROR/CANCELLED). When the
 * browser blocks the popup, the page itself goes through the journey and comes back to
 * `redirect_uri` (default: this page) with the result in its query string instead.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  // The journey lives beside this script: …/link/sdk.js → …/link.
  var base = new URL('.', script && script.src ? script.src : location.href);
  var current = null;

  function urlOf(path, params) {
    var url = new URL(path, base);
    Object.keys(params).forEach(function (name) {
      var value = params[name];
      if (Array.isArray(value)) value = value.join(',');
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
    });
    return url.toString();
  }

  function start(path, options, params) {
    if (!options || typeof options.token !== 'string' || options.token === '') throw new TypeError('OpenleanLink: token is required');
    var callback = typeof options.callback === 'function' ? options.callback : function () {};
    params.token = options.token;
    params.language = options.language;
    if (current) current.abandon();

    var popup = window.open(urlOf(path, Object.assign({ origin: location.origin, redirect_uri: options.redirect_uri }, params)), 'openlean-link', 'popup,width=480,height=760');
    if (!popup) {
      location.assign(urlOf(path, Object.assign({ redirect_uri: options.redirect_uri || location.href }, params)));
      return;
    }

    var done = false;
    var timer = null;
    function finish(result) {
      if (done) return;
      done = true;
      window.removeEventListener('message', onMessage);
      clearInterval(timer);
      current = null;
      if (result) callback(result);
    }
    function onMessage(event) {
      var data = event.data;
      if (event.source !== popup || event.origin !== base.origin || !data || data.source !== 'openlean-link') return;
      finish({ status: data.status, entity_id: data.entity_id || null, customer_id: data.customer_id || null, reason: data.reason || null });
    }
    window.addEventListener('message', onMessage);
    // A popup closed without a result means the user gave up; the grace period lets a result
    // posted just before closing arrive first.
    timer = setInterval(function () {
      if (!popup.closed) return;
      clearInterval(timer);
      setTimeout(function () {
        finish({ status: 'ERROR', entity_id: null, customer_id: null, reason: 'CANCELLED' });
      }, 500);
    }, 300);
    current = {
      abandon: function () {
        finish(null);
        popup.close();
      },
    };
  }

  window.OpenleanLink = {
    connect: function (options) {
      start('../link', options, { permissions: options && options.permissions, bank_identifier: options && options.bank_identifier });
    },
    reconnect: function (options) {
      if (!options || !options.reconnect_id) throw new TypeError('OpenleanLink: reconnect_id is required');
      start('reconnect', options, { reconnect_id: options.reconnect_id });
    },
  };
})();
