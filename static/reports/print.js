// The HTML report's "Print" link: a file of its own, as the Content-Security-Policy allows no inline handler.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-print]");
  if (link) {
    event.preventDefault();
    window.print();
  }
});
