// On a narrow screen the header's links fold behind a "Menu" button. Without this script they stay
// listed (the header wraps), so nothing depends on it.
document.documentElement.classList.add("has-menu");
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-menu-toggle]");
  if (!button) return;
  const menu = document.getElementById(button.getAttribute("aria-controls"));
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  menu.classList.toggle("open", open);
});
