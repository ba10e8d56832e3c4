using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Crm.SharedKernel.Security;

/// <summary>Who is making the current request, as the platform (audit, idempotency, rate limits) needs it.</summary>
public interface ICurrentActor
{
    bool IsAuthenticated { get; }

    /// <summary><c>user</c>, <c>apiKey</c>, <c>anonymous</c>, or <c>system</c> outside a request (background work).</summary>
    string Kind { get; }

    /// <summary>The user id or API key id; null when anonymous or system.</summary>
    Guid? Id { get; }

    /// <summary>A stable text key for partitioning (<c>user:{id}</c>, <c>apiKey:{id}</c>, <c>anonymous</c>, <c>system</c>).</summary>
    string Key { get; }

    string? DisplayName { get; }

    /// <summary>The request's correlation id (W3C trace id when tracing, else the server's request id).</summary>
    string? RequestId { get; }
}

/// <summary>Reads the caller from the current HTTP request's principal; outside a request it is the system.</summary>
public sealed class HttpCurrentActor(IHttpContextAccessor accessor) : ICurrentActor
{
    public const string UserKind = "user";
    public const string ApiKeyKind = "apiKey";
    public const string AnonymousKind = "anonymous";
    public const string SystemKind = "system";

    private ClaimsPrincipal? User => accessor.HttpContext?.User;

    public bool IsAuthenticated => User?.Identity?.IsAuthenticated == true;

    public string Kind => accessor.HttpContext is null ? SystemKind
        : IsAuthenticated ? User!.FindFirstValue(CrmClaimTypes.ActorKind) ?? UserKind : AnonymousKind;

    public Guid? Id => IsAuthenticated && Guid.TryParse(User!.FindFirstValue(CrmClaimTypes.Subject), out var id) ? id : null;

    public string Key => Id is { } id ? $"{Kind}:{id:N}" : Kind;

    public string? DisplayName => IsAuthenticated ? User!.FindFirstValue(CrmClaimTypes.Name) ?? User!.FindFirstValue(CrmClaimTypes.Email) : null;

    public string? RequestId => Activity.Current?.TraceId.ToString() ?? accessor.HttpContext?.TraceIdentifier;
}
