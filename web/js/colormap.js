// Viridis, a perceptually uniform colour scale that stays readable with colour-blindness and in
// greyscale: eleven published stops of the scale, interpolated linearly in sRGB, in a 256-entry
// lookup table. value 0 -> dark purple, 1 -> yellow.
'use strict';
(function colormapModule(Spotlight) {
  const VIRIDIS_STOPS = ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c',
    '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725'];

  function hexToRgb(hex) {
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }

  // A 256-entry RGB table interpolating linearly between evenly spaced stops.
  function buildTable(hexStops) {
    const stops = hexStops.map(hexToRgb);
    const result = new Uint8ClampedArray(256 * 3);
    for (let i = 0; i < 256; i += 1) {
      const position = (i / 255) * (stops.length - 1);
      const low = Math.min(Math.floor(position), stops.length - 2);
      const fraction = position - low;
      for (let c = 0; c < 3; c += 1) {
        result[i * 3 + c] = Math.round(stops[low][c] + (stops[low + 1][c] - stops[low][c]) * fraction);
      }
    }
    return result;
  }

  const table = buildTable(VIRIDIS_STOPS);

  // [r, g, b] of value in [0, 1] (clamped; NaN shows as 0).
  function viridis(value) {
    const clamped = value > 0 ? (value < 1 ? value : 1) : 0;
    const i = Math.round(clamped * 255) * 3;
    return [table[i], table[i + 1], table[i + 2]];
  }

  function viridisCss(value) {
    const [r, g, b] = viridis(value);
    return `rgb(${r}, ${g}, ${b})`;
  }

  // Text colour that stays readable on viridis(value).
  function textOn(value) {
    return value > 0.6 ? '#111' : '#fff';
  }

  // A diverging scale for differences, blue (-1) through near-white (0) to orange (+1): the two
  // ends stay distinct with the common colour-vision deficiencies (the PuOr family).
  const DIVERGING_STOPS = ['#2d004b', '#542788', '#8073ac', '#b2abd2', '#d8daeb', '#f7f7f7',
    '#fee0b6', '#fdb863', '#e08214', '#b35806', '#7f3b08'];
  const divergingTable = buildTable(DIVERGING_STOPS);

  // Okabe-Ito, a qualitative palette distinguishable with colour-blindness, for heads.
  const HEAD_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00',
    '#F0E442', '#000000'];

  function headColour(head) {
    if (head < HEAD_COLOURS.length) return HEAD_COLOURS[head];
    return `hsl(${(head * 137.5) % 360}, 65%, 45%)`;
  }

  Spotlight.colormap = { viridis, viridisCss, textOn, headColour, table, divergingTable };
}(window.Spotlight));
