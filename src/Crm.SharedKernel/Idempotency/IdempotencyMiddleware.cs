using System.Security.Cryptography;
using System.Text;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.SharedKernel.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on POST: the first request claims the key (one INSERT ... ON CONFLICT), runs,
/// and its response is stored; a repeat with the same key and the same request replays that response
/// (marked <c>Idempotent-Replayed: true</c>); the same key with a different request is 422; a repeat while
/// the first is still running is 409. Keys are private to the caller. Responses of 5xx, and requests
/// that failed with an exception, are not stored: the client's retry runs again.
/// </summary>
internal sealed partial class IdempotencyMiddleware(
    RequestDelegate next,
    IdempotencyStore store,
    ICurrentActor actor,
    TimeProvider time,
    IOptions<IdempotencyOptions> options,
    ILogger<IdempotencyMiddleware> logger)
{
    private readonly IdempotencyOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method)
            || !context.Request.Headers.TryGetValue(IdempotencyOptions.HeaderName, out var values))
        {
            await next(context);
            return;
        }

        var key = ValidateKey(values);
        var scope = actor.Key;
        var requestHash = await HashRequestAsync(context.Request, context.RequestAborted);
        var ct = context.RequestAborted;

        for (var attempt = 0; ; attempt++)
        {
            var now = time.UtcNow();
            if (await store.TryClaimAsync(scope, key, requestHash, now, now + _options.Lifetime, ct))
            {
                await ExecuteAndStoreAsync(context, scope, key);
                return;
            }

            var existing = await store.FindAsync(scope, key, ct);
            if (existing is null)
            {
                continue;
            }

            var stale = existing.ExpiresAt <= now || (existing.StatusCode is null && existing.CreatedAt + _options.AbandonedAfter <= now);
            if (stale && attempt == 0)
            {
                await store.RemoveStaleAsync(existing, ct);
                continue;
            }

            await RespondToRepeatAsync(context, existing, requestHash);
            return;
        }
    }

    private async Task ExecuteAndStoreAsync(HttpContext context, string scope, string key)
    {
        var responseBody = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            context.Response.Body = responseBody;
            await store.ReleaseAsync(scope, key, CancellationToken.None);
            throw;
        }

        context.Response.Body = responseBody;
        var response = context.Response;
        if (response.StatusCode >= 500)
        {
            await store.ReleaseAsync(scope, key, CancellationToken.None);
        }
        else
        {
            await store.CompleteAsync(
                scope, key, response.StatusCode, response.ContentType, response.Headers.Location, response.Headers.ETag, buffer.ToArray(), CancellationToken.None);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(responseBody, context.RequestAborted);
    }

    private async Task RespondToRepeatAsync(HttpContext context, IdempotencyRecord existing, string requestHash)
    {
        if (!string.Equals(existing.RequestHash, requestHash, StringComparison.Ordinal))
        {
            throw new ProblemException(
                422,
                ProblemTypes.IdempotencyKeyReused,
                "Idempotency key reused",
                "This Idempotency-Key was already used for a different request; use a new key for a new request.");
        }

        if (existing.StatusCode is null)
        {
            throw new ProblemException(
                409,
                ProblemTypes.IdempotencyRequestInProgress,
                "Request in progress",
                "The first request with this Idempotency-Key is still running; retry shortly.")
            {
                Headers = { ["Retry-After"] = "1" },
            };
        }

        LogReplayed(logger, existing.Key, existing.StatusCode.Value);
        var response = context.Response;
        response.StatusCode = existing.StatusCode.Value;
        response.ContentType = existing.ContentType;
        if (existing.Location is not null)
        {
            response.Headers.Location = existing.Location;
        }

        if (existing.ETag is not null)
        {
            response.Headers.ETag = existing.ETag;
        }

        response.Headers[IdempotencyOptions.ReplayedHeaderName] = "true";
        if (existing.Body is { Length: > 0 } body)
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static string ValidateKey(Microsoft.Extensions.Primitives.StringValues values)
    {
        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > IdempotencyRecord.MaxKeyLength || key.Any(c => c < 0x21 || c > 0x7E))
        {
            throw ValidationFailedException.For(
                IdempotencyOptions.HeaderName,
                $"Send one Idempotency-Key of 1 to {IdempotencyRecord.MaxKeyLength} visible ASCII characters, e.g. a UUID.");
        }

        return key;
    }

    private static async Task<string> HashRequestAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Replayed stored response {StatusCode} for Idempotency-Key {IdempotencyKey}")]
    private static partial void LogReplayed(ILogger logger, string idempotencyKey, int statusCode);
}
