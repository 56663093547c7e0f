import type { AppSettings } from '../spec/types';

/** The keys of one app in canary.yaml, as a construct takes them: the name and namespace may come from the construct. */
export interface CanaryAppBaseProps extends AppSettings {
  /**
   * App name: the `app.kubernetes.io/instance` label, and the default of the Service's and the
   * Deployments' names. A DNS-1123 label.
   * @default the construct id
   */
  readonly name?: string;
  /**
   * Namespace of every object of this app.
   * @default for a CanaryApp, the enclosing Chart's namespace; a CanaryRelease needs one
   */
  readonly namespace?: string;
}

/** Props of a CanaryApp: the keys of one app in canary.yaml, with `stage` naming the stage to render. */
export interface CanaryAppProps extends CanaryAppBaseProps {
  /**
   * The stage to render.
   * @default the first stage of the plan
   */
  readonly stage?: string;
}

/** Props of a CanaryRelease: the keys of one app in canary.yaml but `stage`, since it renders every stage. */
export interface CanaryReleaseProps extends CanaryAppBaseProps {}
