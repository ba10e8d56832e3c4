namespace Crm.SharedKernel.Idempotency;

/// <summary>A stored POST response, replayed for a repeated <c>Idempotency-Key</c> within its lifetime.</summary>
internal sealed class IdempotencyRecord
{
    public const int MaxKeyLength = 200;

    /// <summary>Who sent it: keys are private to a caller, so two callers may use the same key.</summary>
    public string Scope { get; init; } = string.Empty;

    public string Key { get; init; } = string.Empty;

    /// <summary>SHA-256 (hex) of method, path, query and body: the same key with another request is refused.</summary>
    public string RequestHash { get; init; } = string.Empty;

    /// <summary>Null while the first request is still running.</summary>
    public int? StatusCode { get; init; }

    public string? ContentType { get; init; }

    public string? Location { get; init; }

    public string? ETag { get; init; }

    public byte[]? Body { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }
}
