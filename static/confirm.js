// Deleting asks first (issue 18). Without JavaScript the <details class="confirm"> is the
// confirmation: its summary ("Delete") only reveals the question and the "Yes, delete" button
// of the real form. With JavaScript the summary asks the same question in a dialog and, on OK,
// submits that form at once (one step instead of two).
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var summary = e.target.closest && e.target.closest('details.confirm > summary');
    if (!summary) return;
    var details = summary.parentNode;
    var form = details.querySelector('form');
    var question = details.querySelector('.confirm-question');
    if (!form || !question) return;
    e.preventDefault();
    if (window.confirm(question.textContent.replace(/\s+/g, ' ').trim())) form.submit();
  });
}());
