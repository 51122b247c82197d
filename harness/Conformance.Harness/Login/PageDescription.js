// What the page shows, for the browser driver's messages: its title, the visible error, and its text, each with
// white space squashed (the harness shortens and redacts them). "Visible" as Playwright means it.
// Argument: the error selector of LoginVocabulary. Returns { title: string, error: string, text: string }.
(errorSelector) => {
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const squash = s => (s || '').replace(/\s+/g, ' ').trim();
  const errors = sel => [...document.querySelectorAll(sel)].filter(visible).map(e => squash(e.innerText)).filter(t => t).join(' | ');
  return { title: squash(document.title), error: errors(errorSelector), text: squash(document.body ? document.body.innerText : '') };
}
