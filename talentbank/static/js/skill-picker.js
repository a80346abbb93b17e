// Search-as-you-type for the skill <select>: suggestions from /skills/search.json (Japanese and
// English names, tool tags). Without JavaScript the grouped <select> still works on its own.
(function () {
  "use strict";
  document.querySelectorAll("[data-skill-search]").forEach(function (input) {
    var select = document.getElementById(input.dataset.target);
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!select || !list) { return; }
    var timer = null;
    var active = -1;

    function choose(item) {
      select.value = item.code;
      input.value = item.name;
      list.hidden = true;
      select.dispatchEvent(new Event("change"));
    }

    function render(items) {
      list.textContent = "";
      active = -1;
      items.forEach(function (item, index) {
        var option = document.createElement("li");
        option.setAttribute("role", "option");
        option.id = "skill-option-" + index;
        option.textContent = item.name;
        var detail = document.createElement("span");
        detail.className = "suggestion-detail";
        detail.textContent = " " + item.other_name + (item.tags.length ? " · " + item.tags.join(", ") : "");
        option.appendChild(detail);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        list.appendChild(option);
      });
      list.hidden = items.length === 0;
      list._items = items;
    }

    function highlight(index) {
      var options = list.querySelectorAll("li");
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (options[index]) { input.setAttribute("aria-activedescendant", options[index].id); }
    }

    function search() {
      clearTimeout(timer);
      var query = input.value.trim();
      if (!query) { render([]); return; }
      timer = setTimeout(function () {
        fetch(input.dataset.endpoint + "?q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(render)
          .catch(function () { render([]); });
      }, 150);
    }

    input.addEventListener("input", search);
    // Someone who typed before this (deferred) script ran still gets their suggestions.
    if (input.value.trim() && document.activeElement === input) { search(); }

    input.addEventListener("keydown", function (event) {
      var items = list._items || [];
      if (list.hidden || !items.length) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(items[active]); }
      else if (event.key === "Escape") { list.hidden = true; }
    });
    input.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 100); });
  });
})();
