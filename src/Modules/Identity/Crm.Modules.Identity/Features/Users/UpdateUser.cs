using System.Text.Json.Serialization;
using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Data;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Users;

/// <summary>A JSON merge patch of a user: absent members stay, <c>null</c> clears (phone, team, manager).</summary>
/// <param name="Name">Display name.</param>
/// <param name="Phone">Phone number.</param>
/// <param name="TeamId">Team.</param>
/// <param name="ManagerId">Line manager.</param>
/// <param name="Roles">The complete new set of roles.</param>
internal sealed record UpdateUserRequest(
    Optional<string> Name,
    Optional<string?> Phone,
    Optional<Guid?> TeamId,
    Optional<Guid?> ManagerId,
    Optional<IReadOnlyList<string>> Roles) : IRequest<VersionedUser>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class UpdateUserValidator : AbstractValidator<UpdateUserRequest>
{
    public UpdateUserValidator()
    {
        RuleFor(r => r.Name.Value).NotEmpty().MaximumLength(100).When(r => r.Name.HasValue).OverridePropertyName("name");
        RuleFor(r => r.Phone.Value).MaximumLength(30).When(r => r.Phone.HasValue).OverridePropertyName("phone");
        RuleFor(r => r.Roles.Value).ValidRoles().When(r => r.Roles.HasValue).OverridePropertyName("roles");
    }
}

internal sealed class UpdateUserHandler(IdentityDbContext db, UserStateCache userState, TeamSubtreeCache subtrees, TimeProvider time)
    : IRequestHandler<UpdateUserRequest, VersionedUser>
{
    public async Task<VersionedUser> Handle(UpdateUserRequest request, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("User", request.Id);
        request.IfMatch.EnsureMatches(user.Version);

        var teamId = request.TeamId.Or(user.TeamId);
        var managerId = request.ManagerId.Or(user.ManagerId);
        await UserRules.EnsureReferencesExistAsync(
            db, teamId != user.TeamId ? teamId : null, managerId != user.ManagerId ? managerId : null, user.Id, cancellationToken);

        var teamChanged = teamId != user.TeamId;
        user.Update(request.Name.Or(user.Name), request.Phone.Or(user.Phone), teamId, managerId, request.Roles.Or(user.Roles), time.UtcNow());
        await db.SaveChangesAsync(cancellationToken);
        userState.Invalidate(user.Id);
        if (teamChanged)
        {
            // The managers of the old team stop seeing the user's records and those of the new one start, at once.
            subtrees.OrganisationChanged();
        }
        return new VersionedUser(UserProjection.From(user), user.Version);
    }
}
