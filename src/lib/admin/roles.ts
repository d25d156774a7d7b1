// The roles' names on screen (the message key of each), in the order the forms offer them.
import { ROLES, type Role } from "@countersign/crdt-model";
import type { MessageKey } from "$lib/i18n.ts";

export const ROLE_LABEL: Record<Role, MessageKey> = {
  "case-officer": "roleCaseOfficer",
  supervisor: "roleSupervisor",
  registry: "roleRegistry",
  "mail-room": "roleMailRoom",
  archives: "roleArchives",
  "follow-up": "roleFollowUp",
  admin: "roleAdmin",
};

export const ALL_ROLES: readonly Role[] = ROLES;
