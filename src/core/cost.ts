/** What an app has cost so far, as the platform estimates it. An estimate for people, not a bill. */
export interface CostEstimate {
  dollars: number;
  /** Discounted spare capacity (Fargate Spot). */
  spot: boolean;
}

export function formatCost(estimate: CostEstimate | undefined): string | undefined {
  if (estimate === undefined) return undefined;
  const { dollars } = estimate;
  // Review apps cost cents: show a tenth of a cent below a dollar.
  const text = dollars < 0.001 ? '< $0.001' : `$${dollars.toFixed(dollars < 1 ? 3 : 2)}`;
  return estimate.spot ? `${text} (Spot)` : text;
}

/** The sum of several estimates (Spot when any is). */
export function totalCost(estimates: (CostEstimate | undefined)[]): CostEstimate {
  return estimates.reduce<CostEstimate>(
    (sum, e) => ({ dollars: sum.dollars + (e?.dollars ?? 0), spot: sum.spot || e?.spot === true }),
    { dollars: 0, spot: false },
  );
}
