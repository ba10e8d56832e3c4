using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Data;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Users;

/// <summary>Create a user who can sign in.</summary>
/// <param name="Email">Sign-in email; unique, case-insensitive.</param>
/// <param name="Name">Display name.</param>
/// <param name="Password">Initial password: at least 8 characters with a letter and a digit.</param>
/// <param name="Roles">One or more roles.</param>
/// <param name="Phone">Phone number.</param>
/// <param name="TeamId">Team the user belongs to.</param>
/// <param name="ManagerId">The user's line manager.</param>
internal sealed record CreateUserRequest(
    string Email,
    string Name,
    string Password,
    IReadOnlyList<string> Roles,
    string? Phone = null,
    Guid? TeamId = null,
    Guid? ManagerId = null) : IRequest<VersionedUser>;

internal sealed class CreateUserValidator : AbstractValidator<CreateUserRequest>
{
    public CreateUserValidator()
    {
        RuleFor(r => r.Email).NotEmpty().MaximumLength(254).EmailAddress();
        RuleFor(r => r.Name).NotEmpty().MaximumLength(100);
        RuleFor(r => r.Password).StrongPassword();
        RuleFor(r => r.Roles).ValidRoles();
        RuleFor(r => r.Phone).MaximumLength(30);
    }
}

internal sealed class CreateUserHandler(IdentityDbContext db, IPasswordHasher<User> hasher, TeamSubtreeCache subtrees, TimeProvider time)
    : IRequestHandler<CreateUserRequest, VersionedUser>
{
    public async Task<VersionedUser> Handle(CreateUserRequest request, CancellationToken cancellationToken)
    {
        var normalized = User.Normalize(request.Email);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken))
        {
            throw IdentityProblems.EmailTaken(request.Email);
        }

        await UserRules.EnsureReferencesExistAsync(db, request.TeamId, request.ManagerId, null, cancellationToken);
        var now = time.UtcNow();
        var user = User.Create(request.Email, request.Name, request.Phone, request.Roles, request.TeamId, request.ManagerId, now);
        user.SetPasswordHash(hasher.HashPassword(user, request.Password), now);
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken);
        if (user.TeamId is not null)
        {
            // Their team's managers see what the new member owns (customers can be assigned to them at once).
            subtrees.OrganisationChanged();
        }

        return new VersionedUser(UserProjection.From(user), user.Version);
    }
}
