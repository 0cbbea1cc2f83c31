/**
 * How far ahead a shared grant must be placed for its write to land before its start: the write's
 * round trip as this process has seen it, smoothed the way RFC 6298 §2 times TCP retransmissions
 * (`srtt` and `rttvar` with gains 1/8 and 1/4; the estimate `srtt + 4 × rttvar`), kept between a
 * floor and a ceiling. Until the first sample it is the floor.
 */
export class LeadEstimate {
  #srtt: number | undefined;
  #rttvar = 0;

  constructor(
    readonly floorMs: number,
    readonly ceilingMs: number,
  ) {}

  /** The lead to use now, ms. */
  get ms(): number {
    if (this.#srtt === undefined) return this.floorMs;
    return Math.min(this.ceilingMs, Math.max(this.floorMs, Math.ceil(this.#srtt + 4 * this.#rttvar)));
  }

  /** One observed round trip, ms (a read and a conditional write of the budget item). */
  sample(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    if (this.#srtt === undefined) {
      this.#srtt = ms;
      this.#rttvar = ms / 2;
      return;
    }
    this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - ms);
    this.#srtt = 0.875 * this.#srtt + 0.125 * ms;
  }
}
