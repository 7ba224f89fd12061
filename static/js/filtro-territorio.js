/* Adds a search box above <select data-filtrable>: typing part of a name (accents optional) hides the rest.
   Progressive enhancement: without JavaScript the grouped <select> still works. */
(function () {
  "use strict";
  function normalizar(texto) {
    return texto.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  document.querySelectorAll("select[data-filtrable]").forEach(function (select) {
    var id = select.id + "-buscar";
    var contenedor = document.createElement("div");
    contenedor.className = "mb-2";
    var etiqueta = document.createElement("label");
    etiqueta.className = "form-label small";
    etiqueta.htmlFor = id;
    etiqueta.textContent = "Buscar comuna o provincia por nombre";
    var buscador = document.createElement("input");
    buscador.type = "search";
    buscador.id = id;
    buscador.className = "form-control form-control-sm";
    buscador.autocomplete = "off";
    contenedor.appendChild(etiqueta);
    contenedor.appendChild(buscador);
    select.parentNode.insertBefore(contenedor, select);
    buscador.addEventListener("input", function () {
      var buscado = normalizar(buscador.value.trim());
      var primera = null;
      select.querySelectorAll("optgroup").forEach(function (grupo) {
        var visibles = 0;
        grupo.querySelectorAll("option").forEach(function (opcion) {
          var coincide = !buscado || normalizar(opcion.textContent).indexOf(buscado) !== -1;
          opcion.hidden = !coincide;
          if (coincide) {
            visibles += 1;
            primera = primera || opcion;
          }
        });
        grupo.hidden = visibles === 0;
      });
      if (buscado && primera && (select.selectedIndex < 1 || select.options[select.selectedIndex].hidden)) {
        primera.selected = true;
      }
    });
  });
})();
