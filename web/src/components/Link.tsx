import type { ComponentChildren } from 'preact';
import { onLinkClick } from '../lib/router';

export function Link(props: {
  to: string;
  class?: string;
  children: ComponentChildren;
  'aria-label'?: string;
  'aria-current'?: 'page' | undefined;
}) {
  const { to, children, ...rest } = props;
  return (
    <a href={to} onClick={(e) => onLinkClick(e as unknown as MouseEvent, to)} {...rest}>
      {children}
    </a>
  );
}
