using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Crm.Api.Hosting;

/// <summary>A small JSON health document: overall status and each check's status and description (never exception text).</summary>
internal static class HealthResponse
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Options));
    }
}
