namespace Crm.SharedKernel.Errors;

/// <summary>
/// An expected failure that maps to one problem details response. Handlers throw it (or a subclass);
/// the host's exception handler writes it as <c>application/problem+json</c>.
/// </summary>
public class ProblemException(int status, string type, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Type { get; } = type;

    public string Title { get; } = title;

    /// <summary>Extra members written into the problem document (e.g. the figures behind a rule).</summary>
    public IDictionary<string, object?> Extensions { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Response headers the problem needs (e.g. <c>Retry-After</c>).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The record does not exist, or the caller may not see it (404, never 403, so nothing leaks).</summary>
public sealed class NotFoundException(string resource, object id)
    : ProblemException(404, ProblemTypes.NotFound, "Resource not found", $"{resource} '{id}' was not found.");

/// <summary>The request conflicts with the current state of the resource (409).</summary>
public sealed class ConflictException(string type, string title, string detail)
    : ProblemException(409, type, title, detail);

/// <summary>A business rule refused the request (422), with a stable type per rule.</summary>
public sealed class BusinessRuleException(string type, string title, string detail)
    : ProblemException(422, type, title, detail);

/// <summary>The <c>If-Match</c> precondition did not hold (412).</summary>
public sealed class PreconditionFailedException(string detail)
    : ProblemException(412, ProblemTypes.PreconditionFailed, "Precondition failed", detail);
