using System.Linq.Expressions;
using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Data;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.ApiKeys;

/// <summary>An API key as listed (never its secret).</summary>
/// <param name="Id">Key id.</param>
/// <param name="Name">What the key is for, e.g. "ERP nightly sync".</param>
/// <param name="Prefix">The public part of the key (<c>crm_&lt;prefix&gt;_...</c>), to recognise it in logs.</param>
/// <param name="Scopes">Permissions granted, e.g. customers:read, imports:write.</param>
/// <param name="CreatedBy">The administrator who created it.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it stops working, if ever.</param>
/// <param name="LastUsedAt">When it was last used (updated at most once a minute).</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
internal sealed record ApiKeyResponse(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, Guid CreatedBy,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>A new API key, with its secret: shown this once, store it now.</summary>
/// <param name="Key">The full key to send as <c>X-Api-Key</c>.</param>
/// <param name="ApiKey">The key's details.</param>
internal sealed record CreatedApiKeyResponse(string Key, ApiKeyResponse ApiKey);

internal static class ApiKeyProjection
{
    public static readonly Expression<Func<ApiKey, ApiKeyResponse>> ToResponse = k =>
        new ApiKeyResponse(k.Id, k.Name, k.Prefix, k.Scopes, k.CreatedBy, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt);

    public static readonly Func<ApiKey, ApiKeyResponse> From = ToResponse.Compile();

    public static readonly SortDefinition<ApiKey, ApiKeyResponse> Sort = new SortDefinition<ApiKey, ApiKeyResponse>(k => k.Id, k => k.Id, "-createdAt")
        .Add("createdAt", k => k.CreatedAt, k => k.CreatedAt)
        .Add("name", k => k.Name, k => k.Name);
}

/// <summary>Create an API key for an integration.</summary>
/// <param name="Name">What the key is for.</param>
/// <param name="Scopes">Permissions to grant; see docs/modules/identity.md for the list.</param>
/// <param name="ExpiresAt">Optional expiry (UTC), in the future.</param>
internal sealed record CreateApiKeyRequest(string Name, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt = null) : IRequest<CreatedApiKeyResponse>;

internal sealed class CreateApiKeyValidator : AbstractValidator<CreateApiKeyRequest>
{
    public CreateApiKeyValidator(TimeProvider time)
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(100);
        RuleFor(r => r.Scopes).NotEmpty()
            .Must(scopes => scopes is null || scopes.All(Permissions.ApiKeyScopes.Contains))
            .WithMessage($"Scopes must be among: {string.Join(", ", Permissions.ApiKeyScopes)}.");
        RuleFor(r => r.ExpiresAt).Must(e => e is null || e > time.GetUtcNow()).WithMessage("expiresAt must be in the future.");
    }
}

internal sealed class CreateApiKeyHandler(IdentityDbContext db, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<CreateApiKeyRequest, CreatedApiKeyResponse>
{
    public async Task<CreatedApiKeyResponse> Handle(CreateApiKeyRequest request, CancellationToken cancellationToken)
    {
        var prefix = ApiKeyFormat.NewPrefix();
        var secret = SecretHashing.NewSecret();
        var key = ApiKey.Create(request.Name, prefix, SecretHashing.Hash(secret), request.Scopes, actor.Id ?? Guid.Empty, request.ExpiresAt, time.UtcNow());
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiKeyResponse(ApiKeyFormat.Compose(prefix, secret), ApiKeyProjection.From(key));
    }
}

internal sealed record ListApiKeysRequest(PageRequest Page, string? Sort, bool IncludeRevoked) : IRequest<Page<ApiKeyResponse>>;

internal sealed class ListApiKeysHandler(IdentityDbContext db) : IRequestHandler<ListApiKeysRequest, Page<ApiKeyResponse>>
{
    public Task<Page<ApiKeyResponse>> Handle(ListApiKeysRequest request, CancellationToken cancellationToken)
    {
        var keys = db.ApiKeys.AsNoTracking();
        if (!request.IncludeRevoked)
        {
            keys = keys.Where(k => k.RevokedAt == null);
        }

        return keys.ToPageAsync(ApiKeyProjection.ToResponse, ApiKeyProjection.Sort.Parse(request.Sort), request.Page, cancellationToken);
    }
}

/// <summary>An API key with the row version that becomes its ETag.</summary>
internal sealed record VersionedApiKey(ApiKeyResponse ApiKey, uint Version);

internal sealed record GetApiKeyRequest(Guid Id) : IRequest<VersionedApiKey>;

internal sealed class GetApiKeyHandler(IdentityDbContext db) : IRequestHandler<GetApiKeyRequest, VersionedApiKey>
{
    public async Task<VersionedApiKey> Handle(GetApiKeyRequest request, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("API key", request.Id);
        return new VersionedApiKey(ApiKeyProjection.From(key), key.Version);
    }
}

/// <summary>Revoke a key: it stops working at once on this instance and within 30 seconds everywhere.</summary>
internal sealed record RevokeApiKeyRequest(Guid Id, IfMatch IfMatch) : IRequest<Unit>;

internal sealed class RevokeApiKeyHandler(IdentityDbContext db, ApiKeyCache cache, TimeProvider time) : IRequestHandler<RevokeApiKeyRequest, Unit>
{
    public async Task<Unit> Handle(RevokeApiKeyRequest request, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("API key", request.Id);
        request.IfMatch.EnsureMatches(key.Version);
        key.Revoke(time.UtcNow());
        await db.SaveChangesAsync(cancellationToken);
        cache.Invalidate(key.Prefix);
        return Unit.Value;
    }
}
