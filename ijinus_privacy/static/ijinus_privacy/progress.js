/* Long work in the background, followed without reloading by hand (issue 16).

   A box with ``data-progress-url`` asks that URL every 2 seconds for ``{live, done, total, label,
   jobs: [{kind, status}]}`` and updates its <progress>, its label and its list. Once nothing is live
   the page reloads itself to show the result, unless the user has typed into the page: then a link
   offers the reload instead, so nothing typed is lost. An unreachable server is asked again less often.
   No inline script (the CSP allows same-origin files only); texts come translated from the server. */
"use strict";
(function () {
    const box = document.querySelector("[data-progress-url]");
    if (!box) {
        return;
    }
    const bar = box.querySelector("progress");
    const label = box.querySelector("[data-progress-label]");
    const list = box.querySelector("[data-progress-jobs]");
    const ready = box.querySelector("[data-progress-ready]");
    let edited = false;
    const markEdited = (event) => {
        if (event.target.form) {
            edited = true;
        }
    };
    document.addEventListener("input", markEdited, true);
    document.addEventListener("change", markEdited, true);

    function show(state) {
        bar.max = Math.max(state.total, 1);
        bar.value = state.done;
        label.textContent = state.label;
        list.replaceChildren(...state.jobs.map((job) => {
            const item = document.createElement("li");
            item.textContent = job.kind + " — " + job.status;
            return item;
        }));
    }

    async function poll() {
        let state;
        try {
            const response = await fetch(box.dataset.progressUrl, {
                headers: {Accept: "application/json"},
                credentials: "same-origin",
                cache: "no-store",
            });
            if (!response.ok) {
                throw new Error("HTTP " + response.status);
            }
            state = await response.json();
        } catch (error) {
            window.setTimeout(poll, 10000);
            return;
        }
        show(state);
        if (state.live) {
            window.setTimeout(poll, 2000);
        } else if (edited) {
            ready.hidden = false;
        } else {
            window.location.reload();
        }
    }

    window.setTimeout(poll, 2000);
})();
