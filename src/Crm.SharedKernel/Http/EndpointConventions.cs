using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crm.SharedKernel.Http;

public static class EndpointConventions
{
    /// <summary>
    /// Documents the problem responses an operation can return, plus those every operation can (401, 500),
    /// so the OpenAPI document lists every status a client must handle. (The host documents 429, with its
    /// rate-limit headers, on every rate-limited operation.)
    /// </summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var status in statuses.Concat([StatusCodes.Status401Unauthorized, StatusCodes.Status500InternalServerError]).Distinct().Order())
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }

    /// <summary>The operation evaluates <c>If-Match</c> (412 when stale) but also runs without it.</summary>
    public static RouteHandlerBuilder HonoursIfMatch(this RouteHandlerBuilder builder) => builder.WithMetadata(IfMatchMetadata.Optional);

    /// <summary>The operation refuses to run without <c>If-Match</c> (428) and evaluates it (412 when stale).</summary>
    public static RouteHandlerBuilder RequiresIfMatch(this RouteHandlerBuilder builder) => builder.WithMetadata(IfMatchMetadata.Mandatory);

    /// <summary>The read answers 304 Not Modified when <c>If-None-Match</c> names its current <c>ETag</c> (or is <c>*</c>).</summary>
    public static RouteHandlerBuilder HonoursIfNoneMatch(this RouteHandlerBuilder builder) => builder.WithMetadata(IfNoneMatchMetadata.Revalidation);

    /// <summary>The upsert takes <c>If-None-Match: *</c> as "create only" (412 when the resource exists).</summary>
    public static RouteHandlerBuilder HonoursIfNoneMatchCreateOnly(this RouteHandlerBuilder builder) => builder.WithMetadata(IfNoneMatchMetadata.CreateOnly);

    /// <summary>The operation's 200 and 201 responses carry the representation's <c>ETag</c>.</summary>
    public static RouteHandlerBuilder ReturnsETag(this RouteHandlerBuilder builder) => builder.WithMetadata(ETagMetadata.Instance);

    /// <summary>The operation honours <c>Prefer: respond-async</c>: 202 with the job's <c>Location</c>.</summary>
    public static RouteHandlerBuilder HonoursRespondAsync(this RouteHandlerBuilder builder) => builder.WithMetadata(RespondAsyncMetadata.Instance);
}
