// The service graph, drawn by Cytoscape.js with its built-in "breadthfirst" layout (callers
// above the services they depend on). Colours come from the theme's CSS variables, so the graph
// follows the dark/light switch. Cytoscape is loaded on first use: pages without the graph do
// not pay for it.
import { useEffect, useRef } from 'preact/hooks';
import type { Core, ElementDefinition, LayoutOptions, StylesheetJson } from 'cytoscape';
import type { Topology } from '../api/types';
import { edgeKey, type Highlight } from '../state/topology';

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function healthColor(h: string): string {
  switch (h) {
    case 'critical':
      return cssVar('--crit');
    case 'error':
      return cssVar('--high');
    case 'warning':
      return cssVar('--warn');
    case 'info':
      return cssVar('--info');
    default:
      return cssVar('--border-strong');
  }
}

function stylesheet(): StylesheetJson {
  const text = cssVar('--text');
  const surface = cssVar('--surface-2');
  const muted = cssVar('--text-muted');
  const crit = cssVar('--crit');
  const high = cssVar('--high');
  const accent = cssVar('--accent');
  return [
    {
      selector: 'node',
      style: {
        shape: 'round-rectangle',
        'background-color': surface,
        'border-width': 2,
        'border-color': 'data(healthColor)',
        label: 'data(label)',
        color: text,
        'font-size': 12,
        'font-family': 'system-ui, sans-serif',
        'text-wrap': 'wrap',
        'text-valign': 'center',
        'text-halign': 'center',
        width: 'label',
        height: 'label',
        padding: '10px',
      },
    },
    { selector: 'node.unhealthy', style: { 'border-width': 3 } },
    {
      selector: 'node.blast',
      style: { 'border-style': 'dashed', 'border-color': high, 'border-width': 3 },
    },
    {
      selector: 'node.rootcause',
      style: { 'border-color': crit, 'border-width': 5, 'font-weight': 'bold' },
    },
    {
      selector: 'node.selected',
      style: { 'overlay-color': accent, 'overlay-opacity': 0.18, 'overlay-padding': 6 },
    },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'line-color': muted,
        'target-arrow-color': muted,
        'target-arrow-shape': 'triangle',
        'curve-style': 'bezier',
        'arrow-scale': 0.9,
      },
    },
    { selector: 'edge.learned', style: { 'line-style': 'dashed' } },
    {
      selector: 'edge.path',
      style: { width: 3, 'line-color': crit, 'target-arrow-color': crit },
    },
  ] as unknown as StylesheetJson;
}

export function TopologyGraph(props: {
  topology: Topology;
  highlight: Highlight;
  labelFor: (service: string, kind: string) => string;
  onSelect: (service: string) => void;
  ariaLabel: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const onSelect = useRef(props.onSelect);
  onSelect.current = props.onSelect;

  const elements = (): ElementDefinition[] => {
    const h = props.highlight;
    const nodes: ElementDefinition[] = props.topology.services.map((s) => {
      const classes = [
        s.health && s.health !== 'none' ? 'unhealthy' : '',
        h.rootCauses.has(s.name) ? 'rootcause' : '',
        h.blast.has(s.name) ? 'blast' : '',
        h.selected === s.name ? 'selected' : '',
      ].filter(Boolean);
      return {
        group: 'nodes',
        data: { id: s.name, label: props.labelFor(s.name, s.kind), healthColor: healthColor(s.health) },
        classes,
      };
    });
    const names = new Set(props.topology.services.map((s) => s.name));
    const edges: ElementDefinition[] = props.topology.edges
      .filter((e) => names.has(e.from) && names.has(e.to))
      .map((e) => ({
        group: 'edges',
        data: { id: edgeKey(e.from, e.to), source: e.from, target: e.to },
        classes: [e.learned ? 'learned' : '', h.pathEdges.has(edgeKey(e.from, e.to)) ? 'path' : ''].filter(Boolean),
      }));
    return [...nodes, ...edges];
  };

  const elementsRef = useRef(elements);
  elementsRef.current = elements;

  // Build once per topology shape; highlights only restyle.
  const shape = props.topology.services.map((s) => s.name).join(',') + '|' + props.topology.edges.map((e) => edgeKey(e.from, e.to)).join(',');

  useEffect(() => {
    let cancelled = false;
    let observer: MutationObserver | null = null;
    import('cytoscape').then(({ default: cytoscape }) => {
      if (cancelled || !host.current) return;
      const incoming = new Set(props.topology.edges.map((e) => e.to));
      const roots = props.topology.services.filter((s) => !incoming.has(s.name)).map((s) => s.name);
      const instance = cytoscape({
        container: host.current,
        elements: elementsRef.current(),
        style: stylesheet(),
        layout: {
          name: 'breadthfirst',
          directed: true,
          roots: roots.length ? roots : undefined,
          spacingFactor: 1.05,
          padding: 24,
          animate: false,
        } as LayoutOptions,
        minZoom: 0.3,
        maxZoom: 2.5,
        wheelSensitivity: 0.3,
        boxSelectionEnabled: false,
        autoungrabify: true,
      });
      instance.on('tap', 'node', (ev) => onSelect.current(ev.target.id()));
      cy.current = instance;
      // Where each service is drawn (CSS pixels in the graph box): lets browser tests click a
      // node on the canvas the way a person does.
      const publishPositions = () => {
        const pos: Record<string, [number, number]> = {};
        instance.nodes().forEach((n) => {
          const p = n.renderedPosition();
          pos[n.id()] = [Math.round(p.x), Math.round(p.y)];
        });
        host.current?.setAttribute('data-node-positions', JSON.stringify(pos));
      };
      publishPositions();
      instance.on('resize pan zoom', publishPositions);
      host.current.setAttribute('data-ready', 'true');
      observer = new MutationObserver(() => instance.style(stylesheet()));
      observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      cy.current?.destroy();
      cy.current = null;
    };
  }, [shape]);

  // Highlights, health and labels change without a new layout.
  useEffect(() => {
    const instance = cy.current;
    if (!instance) return;
    instance.batch(() => {
      for (const el of elements()) {
        const e = instance.getElementById(String(el.data.id));
        if (e.empty()) continue;
        e.data(el.data);
        e.classes((el.classes as string[]) ?? []);
      }
    });
  });

  return <div class="graph" ref={host} role="img" aria-label={props.ariaLabel} data-testid="topology-graph" />;
}
