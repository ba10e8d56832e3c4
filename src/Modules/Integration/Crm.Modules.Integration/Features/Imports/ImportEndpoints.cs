using System.Text;
using System.Text.Json;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Crm.Modules.Integration.Features.Imports;

/// <summary>Query string of <c>POST /api/v1/imports/{entity}</c>.</summary>
/// <param name="Mode">upsert (default), create or update.</param>
/// <param name="MatchOn">The field identifying existing records (the first is the default): customers externalId, code, registrationNumber (creditCode), email or phone; contacts email or phone; leads emails or phones; products sku; opportunities and orders externalId; receipts externalId or id.</param>
/// <param name="DryRun">Validate every row and report, change nothing.</param>
/// <param name="FileName">The file's name, kept with the job (else the Content-Disposition filename).</param>
/// <param name="OverrideCredit">Orders only: a sales manager (sales:manage) confirms orders over the customer's credit limit (needs overrideReason).</param>
/// <param name="OverrideReason">Orders only: why the credit check is overridden (1 to 500 characters), stored on each order and audited.</param>
internal sealed record StartImportQuery(string? Mode, string? MatchOn, bool? DryRun, string? FileName, string? OverrideCredit, string? OverrideReason)
{
    /// <summary>The pipeline's own parameters; every other one is offered to the entity as an option (<c>IImportTarget.Options</c>).</summary>
    public static readonly HashSet<string> Names = new(["mode", "matchOn", "dryRun", "fileName"], StringComparer.OrdinalIgnoreCase);
}

internal static class ImportEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var imports = api.MapGroup("/imports").WithTags("Imports");
        var maxBytes = api.ServiceProvider.GetRequiredService<IOptions<ImportOptions>>().Value.MaxFileBytes;

        imports.MapPost("/{entity}", async Task<Results<Ok<ImportReport>, Accepted<ImportJobResponse>>> (
                string entity, [AsParameters] StartImportQuery query, HttpRequest http, IMediator mediator, CancellationToken ct) =>
            {
                var respondAsync = http.Headers["Prefer"].Any(p => p is not null && p.Contains("respond-async", StringComparison.OrdinalIgnoreCase));
                var fileName = query.FileName ?? FileNameOf(http);
                var options = http.Query.Where(q => !StartImportQuery.Names.Contains(q.Key)).ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                var result = await mediator.Send(
                    new StartImportRequest(entity, query.Mode, query.MatchOn, query.DryRun ?? false, fileName, http.ContentType, http.Body, respondAsync, options), ct);
                if (result.Job is { } job)
                {
                    http.HttpContext.Response.Headers["Preference-Applied"] = "respond-async";
                    return TypedResults.Accepted($"/api/v1/imports/{job.Id}", job);
                }

                return TypedResults.Ok(result.Report!);
            })
            .Accepts<string>("text/csv", "application/x-ndjson", "application/json")
            .WithMetadata(new ImportSizeLimit(maxBytes))
            .RequirePermission(Permissions.ImportsWrite)
            .HonoursRespondAsync()
            .WithName("StartImport")
            .WithSummary("Import an entity (customers, contacts, leads, products, opportunities, receipts, orders) from a CSV, NDJSON or JSON body (Prefer: respond-async for a background job)")
            .ProducesProblems(
                StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
                StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);

        imports.MapGet("/{id:guid}", async Task<Results<Ok<ImportJobResponse>, StatusCodeHttpResult>> (Guid id, IMediator mediator, HttpContext http, CancellationToken ct) =>
            {
                var job = await mediator.Send(new GetImportJobRequest(id), ct);
                return http.OkOrNotModified(job.Job, job.Version);
            })
            .RequirePermission(Permissions.ImportsWrite)
            .ReturnsETag()
            .HonoursIfNoneMatch()
            .WithName("GetImport")
            .WithSummary("Get an import job: status, rows processed, counts and timings; its ETag changes with progress, honours If-None-Match")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        imports.MapGet("/{id:guid}/errors", async Task (Guid id, string? format, ImportErrorReader errors, HttpResponse response, CancellationToken ct) =>
            {
                var csv = format?.Trim().ToLowerInvariant() switch
                {
                    null or "" or "json" => false,
                    "csv" => true,
                    _ => throw ValidationFailedException.For("format", "format must be json or csv."),
                };
                await errors.EnsureVisibleAsync(id, ct);
                await WriteErrorsAsync(errors.ReadAsync(id, ct), csv, response, ct);
            })
            .RequirePermission(Permissions.ImportsWrite)
            .WithName("ListImportErrors")
            .WithSummary("The rejected rows of an import (row, column, message) as a JSON array or CSV, streamed")
            .Produces<IReadOnlyList<ImportErrorResponse>>(StatusCodes.Status200OK, "application/json", "text/csv")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        imports.MapDelete("/{id:guid}", async Task<Ok<ImportJobResponse>> (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new CancelImportJobRequest(id), ct)))
            .RequirePermission(Permissions.ImportsWrite)
            .WithName("CancelImport")
            .WithSummary("Cancel a queued or running import (rows already committed stay)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
    }

    private static string? FileNameOf(HttpRequest http) =>
        Microsoft.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(http.Headers.ContentDisposition.ToString(), out var disposition)
            ? (disposition.FileNameStar.Value ?? disposition.FileName.Value)?.Trim('"')
            : null;

    private static async Task WriteErrorsAsync(IAsyncEnumerable<ImportErrorResponse> errors, bool csv, HttpResponse response, CancellationToken ct)
    {
        response.ContentType = csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        if (csv)
        {
            await writer.WriteLineAsync("row,column,message".AsMemory(), ct);
        }
        else
        {
            await writer.WriteAsync("[".AsMemory(), ct);
        }

        var first = true;
        await foreach (var error in errors.WithCancellation(ct))
        {
            if (csv)
            {
                await writer.WriteLineAsync($"{error.Row},{Csv(error.Column)},{Csv(error.Message)}".AsMemory(), ct);
                continue;
            }

            await writer.WriteAsync((first ? string.Empty : ",") + JsonSerializer.Serialize(error, JsonSerializerOptions.Web));
            first = false;
        }

        if (!csv)
        {
            await writer.WriteAsync("]".AsMemory(), ct);
        }
    }

    private static string Csv(string? cell) =>
        cell is null ? string.Empty
        : cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}

/// <summary>Imports accept files far larger than the API's default body limit; the body is streamed, never buffered.</summary>
internal sealed class ImportSizeLimit(long maxBytes) : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize { get; } = maxBytes;
}
