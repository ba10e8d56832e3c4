using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Data;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Auth;

/// <summary>Sign out: revoke a refresh token (its whole rotation family), or every session of its user.</summary>
/// <param name="RefreshToken">The refresh token to revoke.</param>
/// <param name="AllSessions">Also revoke every other refresh token and every access token of the user.</param>
internal sealed record LogoutRequest(string RefreshToken, bool AllSessions = false) : IRequest<Unit>;

internal sealed class LogoutValidator : AbstractValidator<LogoutRequest>
{
    public LogoutValidator() => RuleFor(r => r.RefreshToken).NotEmpty().MaximumLength(200);
}

internal sealed class LogoutHandler(IdentityDbContext db, UserStateCache userState, TimeProvider time) : IRequestHandler<LogoutRequest, Unit>
{
    public async Task<Unit> Handle(LogoutRequest request, CancellationToken cancellationToken)
    {
        var now = time.UtcNow();
        var hash = SecretHashing.Hash(request.RefreshToken);
        var token = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token is null)
        {
            // Signing out with an unknown token leaves nothing to do; the outcome the client wants holds.
            return Unit.Value;
        }

        var revoked = request.AllSessions
            ? db.RefreshTokens.Where(t => t.UserId == token.UserId && t.RevokedAt == null)
            : db.RefreshTokens.Where(t => t.FamilyId == token.FamilyId && t.RevokedAt == null);
        await revoked.ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), cancellationToken);

        if (request.AllSessions)
        {
            var user = await db.Users.SingleAsync(u => u.Id == token.UserId, cancellationToken);
            user.RevokeSessions(now);
            await db.SaveChangesAsync(cancellationToken);
            userState.Invalidate(user.Id);
        }

        return Unit.Value;
    }
}
