/* The progress of an indicator upload being confirmed by a worker: polls the small JSON of its state every two
   seconds, moves the bar and the text, and reloads the page when the worker is done (or stopped). Without
   JavaScript the page offers a link to refresh. */
(function () {
  "use strict";
  var seccion = document.querySelector("[data-avance]");
  if (!seccion) {
    return;
  }
  var barra = seccion.querySelector("progress");
  var texto = seccion.querySelector("[data-avance-texto]");
  function consultar() {
    fetch(seccion.dataset.avance, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (respuesta) {
        if (!respuesta.ok) {
          throw new Error(String(respuesta.status));
        }
        return respuesta.json();
      })
      .then(function (estado) {
        if (estado.estado !== "confirmando") {
          window.location.reload();
          return;
        }
        barra.max = estado.por_escribir;
        barra.value = estado.escritas;
        barra.textContent = estado.porcentaje + " %";
        texto.textContent =
          estado.escritas + " de " + estado.por_escribir + " filas (" + estado.porcentaje + " %).";
        window.setTimeout(consultar, 2000);
      })
      .catch(function () {
        window.setTimeout(consultar, 5000); // a network hiccup: try again a little later
      });
  }
  window.setTimeout(consultar, 2000);
})();
