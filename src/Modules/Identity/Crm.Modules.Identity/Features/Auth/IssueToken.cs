using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Data;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Crm.Modules.Identity.Features.Auth;

/// <summary>Sign-in with email and password.</summary>
/// <param name="Email">The user's email (case-insensitive).</param>
/// <param name="Password">The user's password.</param>
internal sealed record IssueTokenRequest(string Email, string Password) : IRequest<TokenResponse>;

internal sealed class IssueTokenValidator : AbstractValidator<IssueTokenRequest>
{
    public IssueTokenValidator()
    {
        RuleFor(r => r.Email).NotEmpty().MaximumLength(254);
        RuleFor(r => r.Password).NotEmpty().MaximumLength(128);
    }
}

internal sealed class IssueTokenHandler(
    IdentityDbContext db,
    IPasswordHasher<User> hasher,
    TokenService tokens,
    IOptions<SignInLockoutOptions> lockout,
    TimeProvider time) : IRequestHandler<IssueTokenRequest, TokenResponse>
{
    // Verifying against a real hash for unknown emails keeps the response time from revealing which emails exist.
    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<User>().HashPassword(null!, "not-a-real-password-1"));

    public async Task<TokenResponse> Handle(IssueTokenRequest request, CancellationToken cancellationToken)
    {
        var now = time.UtcNow();
        var normalized = User.Normalize(request.Email);
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is null || user.PasswordHash is null)
        {
            hasher.VerifyHashedPassword(null!, DummyHash.Value, request.Password);
            throw IdentityProblems.InvalidCredentials();
        }

        if (user.IsLockedOut(now))
        {
            throw IdentityProblems.AccountLocked(user.LockedUntil!.Value - now);
        }

        var verdict = hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password);
        if (verdict == PasswordVerificationResult.Failed || !user.Active)
        {
            if (verdict == PasswordVerificationResult.Failed)
            {
                user.RecordFailedSignIn(now, lockout.Value.MaxFailedAttempts, lockout.Value.Duration);
                await db.SaveChangesAsync(cancellationToken);
            }

            throw IdentityProblems.InvalidCredentials();
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.UpgradePasswordHash(hasher.HashPassword(user, request.Password));
        }

        user.RecordSuccessfulSignIn();
        var response = tokens.Issue(db, user);
        await db.SaveChangesAsync(cancellationToken);
        return response;
    }
}
