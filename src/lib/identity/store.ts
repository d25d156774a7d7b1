// This device's enrolled identities, in IndexedDB. One browser may hold several (a shared office PC,
// or a newcomer trying the demo people one after another); one of them is current.
import { Dexie, type Table } from "dexie";
import type { SignerProfile } from "@countersign/crdt-model";

export interface StoredIdentity {
  /** "<agency code>/<person id>". */
  id: string;
  agency: string;
  agencyName: string;
  person: string;
  profile: SignerProfile;
  certificatePem: string;
  caPem: string;
  /** Non-extractable: IndexedDB keeps it as an opaque CryptoKey that can only sign. */
  privateKey: CryptoKey;
  enrolledAt: string;
}

interface Setting {
  key: string;
  value: string;
}

class IdentityDb extends Dexie {
  identities!: Table<StoredIdentity, string>;
  settings!: Table<Setting, string>;

  constructor() {
    super("countersign-identity");
    this.version(1).stores({ identities: "id, agency", settings: "key" });
  }
}

let db: IdentityDb | undefined;
const open = (): IdentityDb => (db ??= new IdentityDb());

export const identityKey = (agency: string, person: string): string => `${agency}/${person}`;

export async function listIdentities(agency?: string): Promise<StoredIdentity[]> {
  const all = await open().identities.toArray();
  return agency === undefined ? all : all.filter((i) => i.agency === agency);
}

export async function saveIdentity(i: StoredIdentity): Promise<void> {
  await open().transaction("rw", open().identities, open().settings, async () => {
    await open().identities.put(i);
    await open().settings.put({ key: `current:${i.agency}`, value: i.id });
  });
}

export async function currentIdentityId(agency: string): Promise<string | undefined> {
  return (await open().settings.get(`current:${agency}`))?.value;
}

export async function setCurrentIdentity(agency: string, id: string): Promise<void> {
  await open().settings.put({ key: `current:${agency}`, value: id });
}

export async function removeIdentity(id: string): Promise<void> {
  await open().identities.delete(id);
}
