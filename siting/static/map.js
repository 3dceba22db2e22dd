/* siting map controls: coordinates on click, a distance-measuring tool, locate-me (the device's
   GPS, works offline), the data attribution, a legend that follows the layer toggles, and
   collapsible layer list and legend on narrow screens.
   Plain Leaflet 1.9 API; no other library. Attached to the map named by the page.
   attribution: already HTML-escaped text (Leaflet shows attributions as HTML). */
function sitingControls(map, attribution) {
  "use strict";

  // A button of a Leaflet bar: a link with a title and a symbol.
  function barButton(box, title, symbol) {
    var button = L.DomUtil.create("a", "", box);
    button.href = "#";
    button.title = title;
    button.setAttribute("role", "button");
    button.textContent = symbol;
    return button;
  }

  if (attribution && map.attributionControl) { map.attributionControl.addAttribution(attribution); }

  // The legend shows a row only while its layer is on the map.
  function legendRows(name, shown) {
    document.querySelectorAll(".siting-legend [data-layer]").forEach(function (row) {
      if (row.getAttribute("data-layer") === name) { row.style.display = shown ? "" : "none"; }
    });
  }
  map.on("overlayadd", function (e) { legendRows(e.name, true); });
  map.on("overlayremove", function (e) { legendRows(e.name, false); });

  // Narrow screens: the layer list and the legend open from a button.
  function toggler(box, label) {
    var button = box.querySelector(".siting-toggle");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "siting-toggle";
      button.textContent = label;
      box.insertBefore(button, box.firstChild);
    }
    L.DomEvent.on(button, "click", function (e) {
      L.DomEvent.stopPropagation(e);
      box.classList.toggle("siting-open");
    });
    L.DomEvent.disableClickPropagation(box);
  }
  var layers = document.querySelector(".leaflet-control-layers");
  if (layers) { toggler(layers, "Layers"); }
  var legend = document.querySelector(".siting-legend");
  if (legend) { toggler(legend, "Legend"); }

  // Locate me: the device's position (GPS, no network needed) as a dot and accuracy circle.
  var Locate = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      var box = L.DomUtil.create("div", "leaflet-bar siting-locate");
      var button = barButton(box, "Show my position", "\u25CE");
      var marks = L.layerGroup().addTo(map);
      map.on("locationfound", function (e) {
        marks.clearLayers();
        L.circle(e.latlng, { radius: e.accuracy, weight: 1, color: "#1565c0" }).addTo(marks);
        L.circleMarker(e.latlng, { radius: 6, color: "#ffffff", weight: 2, fillColor: "#1565c0",
          fillOpacity: 1 }).addTo(marks)
          .bindTooltip(e.latlng.lat.toFixed(5) + " N, " + e.latlng.lng.toFixed(5) + " E");
      });
      map.on("locationerror", function (e) {
        L.popup().setLatLng(map.getCenter()).setContent(
          document.createTextNode("Position not available: " + e.message)).openOn(map);
      });
      L.DomEvent.on(button, "click", function (e) {
        L.DomEvent.preventDefault(e);
        L.DomEvent.stopPropagation(e);
        map.locate({ setView: true, maxZoom: 13, enableHighAccuracy: true });
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    }
  });
  new Locate().addTo(map);

  // Coordinates on click (WGS84, 5 decimals ~ 1 m), unless measuring.
  var measuring = false;
  map.on("click", function (e) {
    if (measuring) { return; }
    L.popup()
      .setLatLng(e.latlng)
      .setContent(e.latlng.lat.toFixed(5) + " N, " + e.latlng.lng.toFixed(5) + " E")
      .openOn(map);
  });

  // Measure tool: click points, the running length is shown; click the button to stop.
  var Measure = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      var box = L.DomUtil.create("div", "leaflet-bar siting-measure");
      var button = barButton(box, "Measure a distance", "\u2194");
      var readout = L.DomUtil.create("span", "siting-measure-readout", box);
      var points = [];
      var line = null;
      function reset() {
        points = [];
        if (line) { map.removeLayer(line); line = null; }
        readout.textContent = "";
      }
      function add(e) {
        points.push(e.latlng);
        if (!line) { line = L.polyline(points, { color: "#d32f2f", weight: 2 }).addTo(map); }
        else { line.setLatLngs(points); }
        var metres = 0;
        for (var i = 1; i < points.length; i++) { metres += map.distance(points[i - 1], points[i]); }
        readout.textContent = metres < 1000 ? metres.toFixed(0) + " m" : (metres / 1000).toFixed(2) + " km";
      }
      L.DomEvent.on(button, "click", function (e) {
        L.DomEvent.preventDefault(e);
        L.DomEvent.stopPropagation(e);
        measuring = !measuring;
        L.DomUtil[measuring ? "addClass" : "removeClass"](box, "active");
        if (measuring) { reset(); map.on("click", add); }
        else { map.off("click", add); }
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    }
  });
  new Measure().addTo(map);
}

/* Feature details (tooltips and popups) built as DOM text: every value from the data is set
   with textContent, so a name is shown as written and is never parsed as HTML or script.
   fields: property names in order; labels: header texts, or null for values only. */
function sitingDetails(properties, fields, labels) {
  "use strict";
  var box = document.createElement("div");
  box.className = "siting-details";
  var table = document.createElement("table");
  fields.forEach(function (field, i) {
    var value = properties ? properties[field] : undefined;
    var row = table.insertRow();
    if (labels) {
      var header = document.createElement("th");
      header.textContent = labels[i];
      row.appendChild(header);
    }
    var cell = row.insertCell();
    cell.textContent = value === null || value === undefined ? ""
      : typeof value === "object" ? JSON.stringify(value) : String(value);
  });
  box.appendChild(table);
  return box;
}
