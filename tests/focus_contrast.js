// Focus each main control of the page as a keyboard user would and measure its focus indicator:
// an outline at least 2 px wide whose colour has 3:1 contrast against what lies on each side of it
// (WCAG 2.2, 1.4.11 and 2.4.13). Returns [{control, ratio, problem}]; problem is null when it passes.
() => {
  const MINIMUM = 3.0;
  const CONTROLS = [
    ["skip link", ".skip-link"],
    ["navigation link", "header .nav-link:not(.dropdown-toggle)"],
    ["account menu", "header .dropdown-toggle"],
    ["navigation toggler", "header .navbar-toggler"],
    ["primary button", "main .btn-primary"],
    ["outline button", "main [class*='btn-outline-']"],
    ["pressed toggle button", "main .btn[aria-pressed='true']"],
    ["pressed yellow button", "main .btn-warning[aria-pressed='true']"],
    ["link in the text", "main a:not(.btn):not(.nav-link)"],
    ["link in an alert", "main .alert a"],
    ["text field", "main .form-control"],
    ["select", "main .form-select"],
    ["checkbox or radio", "main .form-check-input"],
    ["close button", "main .btn-close"],
  ];

  function parse(color) {
    const m = color.match(/rgba?\(([^)]+)\)/);
    if (!m) { return null; }
    const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  }
  function over(top, bottom) {
    const a = top.a + bottom.a * (1 - top.a);
    if (a === 0) { return { r: 0, g: 0, b: 0, a: 0 }; }
    const mix = (t, b) => (t * top.a + b * bottom.a * (1 - top.a)) / a;
    return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a };
  }
  function luminance(c) {
    const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  }
  function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  // The colour painted at a point, under everything that is not the control itself.
  function backgroundAt(x, y, control) {
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) { return null; }
    const stack = document.elementsFromPoint(x, y).filter(el => el !== control && !control.contains(el));
    const layers = [];
    for (const el of stack) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) { break; } }
    }
    let color = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) { color = over(layer, color); }
    return color;
  }
  function visible(el) {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== "hidden" && !el.closest("[hidden], [inert]");
  }
  function describe(el) {
    return el.outerHTML.slice(0, 120).replace(/\s+/g, " ");
  }

  // A key press first, so that the browser treats the focus that follows as keyboard focus.
  const findings = [];
  for (const [name, selector] of CONTROLS) {
    const el = Array.from(document.querySelectorAll(selector)).find(visible);
    if (!el) { continue; }
    el.scrollIntoView({ block: "center", inline: "center" });
    if (name === "skip link") { el.focus(); } else { el.focus({ focusVisible: true }); }
    if (document.activeElement !== el) { continue; }
    const control = `${name} ${describe(el)}`;
    if (!el.matches(":focus-visible")) {
      findings.push({ control, ratio: null, problem: "keyboard focus does not match :focus-visible" });
      el.blur();
      continue;
    }
    const style = getComputedStyle(el);
    const width = parseFloat(style.outlineWidth) || 0;
    const offset = parseFloat(style.outlineOffset) || 0;
    const color = parse(style.outlineColor);
    if (style.outlineStyle === "none" || width < 2 || !color || color.a < 1) {
      findings.push({
        control, ratio: null,
        problem: `no solid outline (outline: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow: ${style.boxShadow})`,
      });
      el.blur();
      continue;
    }
    const rect = el.getBoundingClientRect();
    const d = offset + width / 2;
    const points = [
      [rect.left - d, rect.top + rect.height / 2], [rect.right + d, rect.top + rect.height / 2],
      [rect.left + rect.width / 2, rect.top - d], [rect.left + rect.width / 2, rect.bottom + d],
    ];
    // The outline hides what is under it, so sample the page with the outline off.
    el.style.setProperty("outline-style", "none", "important");
    const ratios = points.map(([x, y]) => backgroundAt(x, y, el)).filter(Boolean).map(bg => contrast(color, bg));
    // An outline drawn on the control's own edge also touches the control's background.
    const own = parse(style.backgroundColor);
    if (offset <= 0 && own && own.a > 0 && ratios.length) {
      const outside = backgroundAt(points[0][0], points[0][1], el) || { r: 255, g: 255, b: 255, a: 1 };
      ratios.push(contrast(color, over(own, outside)));
    }
    el.style.removeProperty("outline-style");
    const ratio = Math.min(...ratios);
    findings.push({
      control, ratio,
      problem: ratio < MINIMUM ? `outline ${style.outlineColor} has ${ratio.toFixed(2)}:1 against its surroundings (needs ${MINIMUM}:1)` : null,
    });
    el.blur();
  }
  return findings;
}
