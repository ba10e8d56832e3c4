namespace Crm.SharedKernel.Errors;

/// <summary>
/// Stable problem type URIs (RFC 9457 <c>type</c>). Clients branch on these, never on titles or details;
/// docs/api-guide.md lists every one of them.
/// </summary>
public static class ProblemTypes
{
    /// <summary>The prefix every problem type of this API starts with.</summary>
    public const string BaseUri = "https://crm.local/problems/";

    public const string Validation = BaseUri + "validation";
    public const string BadRequest = BaseUri + "bad-request";
    public const string MalformedJson = BaseUri + "malformed-json";
    public const string Unauthorized = BaseUri + "unauthorized";
    public const string Forbidden = BaseUri + "forbidden";
    public const string NotFound = BaseUri + "not-found";
    public const string MethodNotAllowed = BaseUri + "method-not-allowed";
    public const string Conflict = BaseUri + "conflict";
    public const string ConcurrencyConflict = BaseUri + "concurrency-conflict";
    public const string PreconditionFailed = BaseUri + "precondition-failed";
    public const string PayloadTooLarge = BaseUri + "payload-too-large";
    public const string UnsupportedMediaType = BaseUri + "unsupported-media-type";
    public const string BusinessRule = BaseUri + "business-rule";
    public const string IdempotencyKeyReused = BaseUri + "idempotency-key-reused";
    public const string IdempotencyRequestInProgress = BaseUri + "idempotency-request-in-progress";
    public const string TooManyRequests = BaseUri + "too-many-requests";
    public const string ServiceUnavailable = BaseUri + "service-unavailable";
    public const string InternalError = BaseUri + "internal-error";

    /// <summary>The type used when a status code is produced without a more specific problem.</summary>
    public static string ForStatus(int status) => status switch
    {
        400 => BadRequest,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        409 => Conflict,
        412 => PreconditionFailed,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        422 => BusinessRule,
        429 => TooManyRequests,
        503 => ServiceUnavailable,
        _ when status >= 500 => InternalError,
        _ => BaseUri + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
