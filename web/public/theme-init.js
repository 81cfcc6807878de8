// Applies the remembered theme before the first paint (no white flash at 3 AM). A file, not an
// inline script, so that the server can send a strict Content-Security-Policy (script-src 'self').
try {
  var t = localStorage.getItem('awoooi.theme');
  if (t === 'light' || t === 'dark') document.documentElement.setAttribute('data-theme', t);
} catch (e) {}
