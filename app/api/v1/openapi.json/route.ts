import { openApiDocument } from "@/lib/api/openapi";

/** The OpenAPI document of the platform API. Public: it describes, and holds no data. */
export function GET() {
  return Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } });
}
