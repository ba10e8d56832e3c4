using System.Text.Json.Serialization;
using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Data;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Users;

/// <summary>
/// Set a password: by an administrator for any user, or by users for themselves with their current password.
/// Every session of the user ends (refresh tokens revoked, access tokens refused): sign in again.
/// </summary>
/// <param name="NewPassword">At least 8 characters with a letter and a digit.</param>
/// <param name="CurrentPassword">Required when users change their own password.</param>
internal sealed record SetPasswordRequest(string NewPassword, string? CurrentPassword = null) : IRequest<Unit>
{
    [JsonIgnore]
    public Guid UserId { get; init; }

    [JsonIgnore]
    public bool RequireCurrentPassword { get; init; }
}

internal sealed class SetPasswordValidator : AbstractValidator<SetPasswordRequest>
{
    public SetPasswordValidator()
    {
        RuleFor(r => r.NewPassword).StrongPassword();
        RuleFor(r => r.CurrentPassword).NotEmpty().When(r => r.RequireCurrentPassword);
    }
}

internal sealed class SetPasswordHandler(IdentityDbContext db, IPasswordHasher<User> hasher, UserStateCache userState, TimeProvider time)
    : IRequestHandler<SetPasswordRequest, Unit>
{
    public async Task<Unit> Handle(SetPasswordRequest request, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == request.UserId, cancellationToken)
            ?? throw new NotFoundException("User", request.UserId);
        if (request.RequireCurrentPassword
            && (user.PasswordHash is null || hasher.VerifyHashedPassword(user, user.PasswordHash, request.CurrentPassword!) == PasswordVerificationResult.Failed))
        {
            throw ValidationFailedException.For("currentPassword", "The current password is wrong.");
        }

        var now = time.UtcNow();
        user.SetPasswordHash(hasher.HashPassword(user, request.NewPassword), now);
        await db.RefreshTokens
            .Where(t => t.UserId == user.Id && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        userState.Invalidate(user.Id);
        return Unit.Value;
    }
}
