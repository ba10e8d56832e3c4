using Crm.Modules.Identity.Data;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Paging;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Users;

/// <summary>Filters of <c>GET /api/v1/users</c>.</summary>
internal sealed record ListUsersRequest(PageRequest Page, string? Sort, string? Q, Guid? TeamId, string? Role, bool? Active) : IRequest<Page<UserResponse>>;

internal sealed class ListUsersHandler(IdentityDbContext db) : IRequestHandler<ListUsersRequest, Page<UserResponse>>
{
    public Task<Page<UserResponse>> Handle(ListUsersRequest request, CancellationToken cancellationToken)
    {
        var order = UserProjection.Sort.Parse(request.Sort);
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Q))
        {
            var pattern = LikePattern.Contains(request.Q.Trim());
            users = users.Where(u => EF.Functions.ILike(u.Name, pattern, LikePattern.Escape) || EF.Functions.ILike(u.NormalizedEmail, pattern, LikePattern.Escape));
        }

        if (request.TeamId is { } team)
        {
            users = users.Where(u => u.TeamId == team);
        }

        if (!string.IsNullOrWhiteSpace(request.Role))
        {
            users = users.Where(u => u.Roles.Contains(request.Role));
        }

        if (request.Active is { } active)
        {
            users = users.Where(u => u.Active == active);
        }

        return users.ToPageAsync(UserProjection.ToResponse, order, request.Page, cancellationToken);
    }
}
