using Crm.SharedKernel.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Crm.SharedKernel.Http;

/// <summary>
/// The <c>If-None-Match</c> precondition (RFC 9110 §13.1.2) in the two forms the API honours: revalidation of a
/// cached read, and <c>*</c> on a PUT upsert meaning "create only". Endpoints that read it declare
/// <see cref="IfNoneMatchMetadata"/>.
/// </summary>
public static class IfNoneMatch
{
    /// <summary>
    /// Whether the caller's copy is current: the header is <c>*</c> or names <paramref name="currentETag"/> (weak
    /// comparison, as the RFC prescribes for If-None-Match). A malformed or absent header never matches.
    /// </summary>
    public static bool Matches(HttpRequest request, string currentETag)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = Read(request);
        return EntityTagHeaderValue.TryParseList(values, out var tags)
            && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Equals(currentETag, StringComparison.Ordinal));
    }

    /// <summary>
    /// <c>If-None-Match: *</c> makes an upsert create-only; absent means create or replace. Tag lists have no meaning
    /// for an upsert, so anything else is a 400.
    /// </summary>
    public static bool CreateOnly(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = Read(request);
        if (values.Count == 0)
        {
            return false;
        }

        return values.Count == 1 && values[0]?.Trim() == "*"
            ? true
            : throw ValidationFailedException.For("If-None-Match", "On this endpoint If-None-Match can only be * (create only; 412 when the resource exists).");
    }

    private static Microsoft.Extensions.Primitives.StringValues Read(HttpRequest request)
    {
        if (request.HttpContext.Features.Get<ConditionalHeadersReadFeature>() is { } observed)
        {
            observed.IfNoneMatchRead = true;
        }

        return request.Headers.IfNoneMatch;
    }
}
