using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Data;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Auth;

/// <summary>Exchange a refresh token for a new token pair.</summary>
/// <param name="RefreshToken">The refresh token of the last sign-in or refresh; it is used up by this call.</param>
internal sealed record RefreshTokensRequest(string RefreshToken) : IRequest<TokenResponse>;

internal sealed class RefreshTokensValidator : AbstractValidator<RefreshTokensRequest>
{
    public RefreshTokensValidator() => RuleFor(r => r.RefreshToken).NotEmpty().MaximumLength(200);
}

internal sealed class RefreshTokensHandler(IdentityDbContext db, TokenService tokens, TimeProvider time)
    : IRequestHandler<RefreshTokensRequest, TokenResponse>
{
    public async Task<TokenResponse> Handle(RefreshTokensRequest request, CancellationToken cancellationToken)
    {
        var now = time.UtcNow();
        var hash = SecretHashing.Hash(request.RefreshToken);
        var presented = await db.RefreshTokens.SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken)
            ?? throw IdentityProblems.InvalidRefreshToken();

        if (presented.RevokedAt is not null)
        {
            // A used token presented again: someone holds a copy. Revoke the whole family.
            await db.RefreshTokens
                .Where(t => t.FamilyId == presented.FamilyId && t.RevokedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), cancellationToken);
            throw IdentityProblems.InvalidRefreshToken();
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == presented.UserId, cancellationToken);
        if (!presented.IsActive(now) || user is not { Active: true })
        {
            throw IdentityProblems.InvalidRefreshToken();
        }

        // Claim the token with a conditional update, so of two concurrent refreshes with one token only one wins.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await db.RefreshTokens
            .Where(t => t.Id == presented.Id && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), cancellationToken);
        if (claimed == 0)
        {
            throw IdentityProblems.InvalidRefreshToken();
        }

        var response = tokens.Issue(db, user, presented.FamilyId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }
}
