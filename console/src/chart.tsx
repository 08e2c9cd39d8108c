import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

function xRange(times: ArrayLike<number> | undefined, min: number, max: number): [number, number] {
  const first = times?.[0] ?? min;
  const last = times && times.length > 0 ? times[times.length - 1]! : max;
  return [Math.min(first, last - 60), last];
}

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  stroke: string;
}

interface ChartProps {
  title: string;
  unit: string;
  times: number[];
  series: ChartSeries[];
}

/** A uPlot line chart of the last hour; the figure's caption and the stat cards carry the numbers for screen readers. */
export function Chart({ title, unit, times, series }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = [times, ...series.map((s) => s.values)] as uPlot.AlignedData;

  useEffect(() => {
    const element = host.current!;
    const chart = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 180,
        legend: { show: true },
        // From the first point to the last, at least a minute wide (uPlot widens a lone point to 1000 days).
        scales: { x: { time: true, range: (u, min, max) => xRange(u.data[0], min, max) } },
        axes: [{}, { label: unit, size: 60 }],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: true }))],
      },
      data,
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(280, element.clientWidth), height: 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={host} role="img" aria-label={`${title} over the last hour`} />
    </figure>
  );
}
