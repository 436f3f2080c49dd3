// The person's page: a link to a section opens it when it is collapsed (no inline script: the CSP forbids it).
"use strict";
document.addEventListener("click", function (event) {
    const link = event.target.closest(".person-nav a[href^='#'], .person-records a[href^='#']");
    if (!link) {
        return;
    }
    const target = document.getElementById(link.getAttribute("href").slice(1));
    const details = target && target.querySelector("details");
    if (details) {
        details.open = true;
    }
});
