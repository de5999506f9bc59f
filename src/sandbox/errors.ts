// An error that carries the HTTP status it should be answered with; the server's error handler
// sends its message as `{"error": ...}`.
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
