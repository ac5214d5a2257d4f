// The inbox's only script: new calls appear without reloading the page. Every 15 seconds while
// the page is in view, it asks for the calls since the newest one the page was made with and
// puts them on top; a card already shown is replaced, so a voicemail's transcript shows up when
// it is ready. The cards are the server's own HTML (every caller-supplied value escaped there).
(function () {
  'use strict';
  var list = document.querySelector('[data-updates]');
  if (!list || !window.fetch || !('content' in document.createElement('template'))) return;
  var url = list.getAttribute('data-updates');
  var every = 15000;
  var timer = null;

  function cards(html) {
    var template = document.createElement('template');
    template.innerHTML = html;
    return Array.prototype.slice.call(template.content.querySelectorAll('article[data-call]'));
  }

  function place(card) {
    var shown = list.querySelector('article[data-call="' + card.getAttribute('data-call') + '"]');
    if (shown) {
      shown.replaceWith(card);
      return false;
    }
    var first = list.querySelector('article[data-call]');
    if (first) first.parentNode.insertBefore(card, first);
    else list.appendChild(card);
    card.classList.add('fresh');
    return true;
  }

  function poll() {
    if (document.visibilityState !== 'visible') return;
    fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (response) {
        if (response.status === 401) {
          window.clearInterval(timer);
          return '';
        }
        return response.ok ? response.text() : '';
      })
      .then(function (html) {
        var added = 0;
        cards(html).reverse().forEach(function (card) {
          if (place(card)) added += 1;
        });
        if (added > 0) {
          var empty = list.querySelector('[data-empty]');
          if (empty) empty.remove();
          document.title = document.title.replace(/^\(\d+\) /, '');
          list.setAttribute('data-new', String(added + Number(list.getAttribute('data-new') || 0)));
          document.title = '(' + list.getAttribute('data-new') + ') ' + document.title;
        }
      })
      .catch(function () {
        // Offline for a moment: the next tick tries again.
      });
  }

  timer = window.setInterval(poll, every);
  document.addEventListener('visibilitychange', poll);
  list.setAttribute('data-live', 'on');
})();
