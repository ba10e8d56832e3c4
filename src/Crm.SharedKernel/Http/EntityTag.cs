using System.Globalization;
using Crm.SharedKernel.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Crm.SharedKernel.Http;

/// <summary>
/// Strong entity tags derived from PostgreSQL's <c>xmin</c> row version. A row's <c>xmin</c> changes on
/// every update, so it is a cheap, always-correct validator for optimistic concurrency.
/// </summary>
public static class EntityTag
{
    /// <summary>The quoted ETag for a row version, e.g. <c>"7342"</c>.</summary>
    public static string For(uint version) => string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");

    /// <summary>Sets the <c>ETag</c> response header.</summary>
    public static void SetETag(this HttpResponse response, uint version) => response.Headers.ETag = For(version);

    /// <summary>200 with the representation and its ETag.</summary>
    public static Ok<T> OkWithETag<T>(this HttpResponse response, T value, uint version)
    {
        response.SetETag(version);
        return TypedResults.Ok(value);
    }

    /// <summary>
    /// A read that honours <c>If-None-Match</c>: 304 without a body when it names <paramref name="etag"/> (the caller's copy
    /// is current), else 200 with the representation; both carry the ETag. Endpoints that use it declare
    /// <see cref="EndpointConventions.HonoursIfNoneMatch"/> and <see cref="EndpointConventions.ReturnsETag"/>.
    /// </summary>
    public static Results<Ok<T>, StatusCodeHttpResult> OkOrNotModified<T>(this HttpContext http, T value, string etag)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Headers.ETag = etag;
        return IfNoneMatch.Matches(http.Request, etag) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(value);
    }

    /// <summary><see cref="OkOrNotModified{T}(HttpContext, T, string)"/> for a row version.</summary>
    public static Results<Ok<T>, StatusCodeHttpResult> OkOrNotModified<T>(this HttpContext http, T value, uint version) =>
        http.OkOrNotModified(value, For(version));

    /// <summary>201 with Location, the representation and its ETag.</summary>
    public static Created<T> CreatedWithETag<T>(this HttpResponse response, string location, T value, uint version)
    {
        response.SetETag(version);
        return TypedResults.Created(location, value);
    }
}

/// <summary>
/// The <c>If-Match</c> precondition of a request (RFC 9110 §13.1.1): absent (no check), <c>*</c>
/// (any current representation), or a list of strong tags. Weak tags never match.
/// </summary>
public sealed class IfMatch
{
    private readonly HashSet<uint>? _versions;

    private IfMatch(bool present, HashSet<uint>? versions)
    {
        IsPresent = present;
        _versions = versions;
    }

    /// <summary>No <c>If-Match</c> header: the write is unconditional.</summary>
    public static IfMatch None { get; } = new(false, null);

    public bool IsPresent { get; }

    /// <summary>Reads the header. Tags that are not this API's row versions can never match, so they are kept as "no match".</summary>
    public static IfMatch From(HttpRequest request)
    {
        if (request.HttpContext.Features.Get<ConditionalHeadersReadFeature>() is { } observed)
        {
            observed.IfMatchRead = true;
        }

        var raw = request.Headers.IfMatch;
        if (raw.Count == 0)
        {
            return None;
        }

        if (!EntityTagHeaderValue.TryParseList(raw, out var tags) || tags.Count == 0)
        {
            throw ValidationFailedException.For("If-Match", "The If-Match header must be * or a list of quoted entity tags.");
        }

        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any)))
        {
            return new IfMatch(true, null);
        }

        var versions = new HashSet<uint>();
        foreach (var tag in tags.Where(t => !t.IsWeak))
        {
            if (uint.TryParse(tag.Tag.AsSpan().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                versions.Add(version);
            }
        }

        return new IfMatch(true, versions);
    }

    public bool Matches(uint currentVersion) => !IsPresent || _versions is null || _versions.Contains(currentVersion);

    /// <summary>Throws 412 when the caller's copy is stale.</summary>
    public void EnsureMatches(uint currentVersion)
    {
        if (!Matches(currentVersion))
        {
            throw new PreconditionFailedException(
                $"The resource has changed (current ETag {EntityTag.For(currentVersion)}); fetch it again and retry with the new ETag.");
        }
    }
}
