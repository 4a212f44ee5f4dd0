/** What GET /api/status answers. */
export interface Status {
  ok: boolean;
  /** The server's clock (epoch ms). */
  at: number;
  /** Requests the server has answered. */
  count: number;
}
