// Portal IKI: optional comfort only (every page works without JavaScript).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.querySelector(".zona-seret");
    var input = document.getElementById("berkas");
    var list = document.querySelector(".daftar-berkas");
    function show() {
      if (!list || !input) { return; }
      var names = [];
      for (var i = 0; i < input.files.length; i++) { names.push(input.files[i].name); }
      list.textContent = names.length ? list.getAttribute("data-label") + " " + names.join(", ") : "";
    }
    if (zone && input) {
      input.addEventListener("change", show);
      ["dragenter", "dragover"].forEach(function (ev) {
        zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("aktif"); });
      });
      ["dragleave", "drop"].forEach(function (ev) {
        zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("aktif"); });
      });
      zone.addEventListener("drop", function (e) {
        if (e.dataTransfer && e.dataTransfer.files.length) {
          input.files = e.dataTransfer.files;
          show();
        }
      });
    }
    var print = document.querySelector("[data-cetak]");
    if (print) { print.addEventListener("click", function () { window.print(); }); }
  });
})();
